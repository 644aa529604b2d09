# LandGuard — the two commands: `make run` and `make test` (see README.md).
.PHONY: run test setup

run:
	bash scripts/run.sh

test:
	bash scripts/test.sh

setup:
	bash scripts/setup.sh

