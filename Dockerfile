# The API image: `python -m app serve` against TRENDGRAPH_MONGODB_URI (see docker-compose.yml).
FROM python:3.12-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

RUN useradd --create-home --uid 10001 --shell /usr/sbin/nologin trendgraph
WORKDIR /srv/trendgraph

COPY pyproject.toml README.md ./
COPY app ./app
COPY schema ./schema
COPY seeds ./seeds
RUN pip install . \
    && mkdir data && chown trendgraph:trendgraph data

USER trendgraph
EXPOSE 8000
HEALTHCHECK --interval=10s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/readyz', timeout=3)"]

# Seeds an empty database on start (idempotent); the URI comes from the environment.
CMD ["python", "-m", "app", "serve", "--host", "0.0.0.0", "--port", "8000"]
