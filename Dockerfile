# One image for both steps of the pipeline (docs/aws/pipeline.asl.json, docs/deploy.md):
#   dmsw land --source s3://<dms-bucket>/<prefix> --lake s3://<lake-bucket> --glue
#   dbt build --exclude-resource-type unit_test --target athena|redshift
# The packages are installed by the script `make setup` runs for CI (scripts/install.sh), from
# requirements.lock: the image holds exactly what the tests ran with.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PATH=/opt/venv/bin:$PATH \
    DBT_PROFILES_DIR=/app/profiles \
    DBT_TARGET_PATH=/tmp/dbt/target \
    DBT_LOG_PATH=/tmp/dbt/logs \
    DBT_SEND_ANONYMOUS_USAGE_STATS=false \
    CONTRACTS_DIR=/app/contracts

WORKDIR /app
COPY . /app
RUN PYTHON=python3 sh scripts/install.sh /opt/venv \
    && useradd --system --uid 10001 --home-dir /app pipeline \
    && chown -R pipeline /app

USER pipeline
# The state machine and the task definitions give the command; this default shows the usage.
CMD ["dmsw", "--help"]
