# Boardroom image for docker-compose: the code location, webserver and daemon share it.
FROM python:3.11-slim-bookworm

RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b fonts-dejavu-core fonts-noto-core \
 && rm -rf /var/lib/apt/lists/*

RUN pip install --no-cache-dir uv==0.13.9
WORKDIR /opt/boardroom
COPY pyproject.toml uv.lock README.md ./
RUN uv sync --frozen --no-dev --no-install-project
COPY . .
RUN uv sync --frozen --no-dev \
 && mkdir -p /opt/dagster/home \
 && cp dagster.yaml /opt/dagster/home/dagster.yaml
ENV PATH="/opt/boardroom/.venv/bin:${PATH}"
