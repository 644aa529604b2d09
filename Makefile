# LandGuard — the two commands: `make run` and `make test` (see README.md).
.PHONY: run test setup bench

run:
	bash scripts/run.sh

test:
	bash scripts/test.sh

setup:
	bash scripts/setup.sh

# The synthetic-county benchmark (SpatiaLite, PostGIS, GeoPandas baseline): docs/performance.md.
bench:
	bash scripts/bench.sh
