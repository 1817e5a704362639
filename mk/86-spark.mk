# yespo.spark.upsert_dataframe in pyspark's local[2] mode (issue 16): its own venv with pyspark,
# pyarrow and pandas from PyPI (~1 min to install the first time, ~700 MB) and Java 17 from
# scripts/deps.sh; a small DataFrame against the emulator and a redis-server (tests/shared_budget).
.PHONY: test-spark spark-venv
TEST_TARGETS += test-spark
SPARK_VENV := $(ROOT)/.venv-spark

spark-venv:
	@test -x $(SPARK_VENV)/bin/python || python3 -m venv $(SPARK_VENV)
	@$(SPARK_VENV)/bin/pip install -q --disable-pip-version-check "pyspark[sql]>=3.5,<5" "pandas>=2.2,<3" "pyarrow>=11" "orjson>=3.8" pytest
	@YESPO_LIB=$(abspath $(YESPO_LIB)) $(SPARK_VENV)/bin/pip install -q --disable-pip-version-check --force-reinstall --no-deps ./bindings/python

test-spark: $(if $(wildcard $(YESPO_LIB)),,release) $(if $(wildcard $(YESPO_EMULATOR)),,emulator)
	@$(MAKE) --no-print-directory spark-venv
	cd tests/shared_budget && YESPO_LIB= $(SPARK_VENV)/bin/python -m pytest -q -p no:cacheprovider test_spark.py
