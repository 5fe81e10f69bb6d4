PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test install bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test,data,distributed]"
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/innocluster run hsinchu --years 30 --seed 1 --out runs/demo/run --firm-panel
	$(BIN)/innocluster cost-curves hsinchu --out runs/demo/figure1
	$(BIN)/innocluster monitor runs/demo/run/firm_panel.parquet --out runs/demo/monitor
	@echo ""
	@echo "Report: runs/demo/monitor/report.html  (simulation: runs/demo/run/overview.png, Figure 1: runs/demo/figure1/figure1.png)"

test: $(STAMP)
	$(BIN)/python -m pytest -n 2 tests

bench: $(STAMP)
	$(BIN)/python benchmarks/run_engine.py

clean:
	rm -rf $(VENV) runs .pytest_cache
