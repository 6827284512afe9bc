# The two commands: `make run` starts the product with demo tenants; `make test` runs
# every check. Both set up what they need (Debian packages, .venv, .data/).
.PHONY: run test stop setup schema messages bench lint

run:
	bin/run

test:
	bin/test

stop:
	bin/services stop

setup:
	bin/setup

lint:
	.venv/bin/ruff check . && .venv/bin/ruff format --check .

schema:
	DJANGO_SETTINGS_MODULE=facilis.settings.dev .venv/bin/python manage.py graphql_sdl

messages:
	.venv/bin/python manage.py makemessages -l zh_Hans --ignore '.venv/*' --ignore '.data/*' && .venv/bin/python manage.py compilemessages -l zh_Hans --ignore '.venv/*'

bench:
	.venv/bin/python benchmarks/provision.py
