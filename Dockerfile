# The API image: `python -m app serve` against TRENDGRAPH_MONGODB_URI (see docker-compose.yml).
FROM python:3.12-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

RUN useradd --create-home --uid 10001 --shell /usr/sbin/nologin trendgraph
WORKDIR /srv/trendgraph

# The locked runtime first (its own layer, rebuilt only when the lock changes), then the
# project without dependencies or build isolation: every package comes from the lock, by hash.
COPY requirements/runtime.lock requirements/
RUN pip install --require-hashes --no-deps -r requirements/runtime.lock
COPY pyproject.toml README.md LICENSE ./
COPY app ./app
COPY schema ./schema
COPY seeds ./seeds
RUN pip install --no-deps --no-build-isolation . \
    && mkdir data && chown trendgraph:trendgraph data

USER trendgraph
EXPOSE 8000
HEALTHCHECK --interval=10s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/readyz', timeout=3)"]

# A production image never invents data: no demo dataset on an empty database
# (`docker compose exec api python -m app reset-demo --yes` loads it to try things out).
# Settings come from the environment.
CMD ["python", "-m", "app", "serve", "--host", "0.0.0.0", "--port", "8000", "--no-seed"]
