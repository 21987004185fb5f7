# countystats on Airflow 3: the image every Airflow service of docker-compose.yml runs.
#
# Extends the official image (its entrypoint waits for the DB, runs `airflow` subcommands, handles signals).
# The slim variant carries no extra providers, so nothing pre-installed competes with our pinned set.
# No Chromium and no CJK fonts: the dashboards are HTML pages (Plotly), not chart images, so nothing renders PNG.
ARG AIRFLOW_VERSION=3.3.2
ARG PYTHON_VERSION=3.11
FROM apache/airflow:slim-${AIRFLOW_VERSION}-python${PYTHON_VERSION}
ARG AIRFLOW_VERSION

# pip builds in the source folder (egg-info) as the airflow user, so that user must own it (WORKDIR makes root's).
USER root
RUN mkdir -p /opt/countystats/src && chown -R airflow:0 /opt/countystats
USER airflow
WORKDIR /opt/countystats/src

# The project and its dependencies in one step (simple; a source change re-runs the install, about a minute).
COPY --chown=airflow:0 deploy/constraints.txt /opt/countystats/constraints.txt
COPY --chown=airflow:0 pyproject.toml README.md ./
COPY --chown=airflow:0 countystats/ ./countystats/
COPY --chown=airflow:0 transforms/ ./transforms/
COPY --chown=airflow:0 expectations/ ./expectations/
COPY --chown=airflow:0 dashboards/ ./dashboards/
# Naming apache-airflow==version stops pip from silently up- or downgrading Airflow (official advice);
# the constraints file pins every other package to the versions the integration test ran with.
RUN pip install --no-cache-dir \
        "apache-airflow==${AIRFLOW_VERSION}" ".[production]" \
        --constraint /opt/countystats/constraints.txt

# The DAG and the default unit registry are part of the release (compose may mount a county's own units.csv).
COPY --chown=airflow:0 dags/ /opt/airflow/dags/
COPY --chown=airflow:0 config/ /opt/countystats/config/

WORKDIR /opt/airflow
