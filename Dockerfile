# Townsquare's image: Debian slim, the portal's built assets inside, running as an unprivileged user.
# Build: docker build -t townsquare .      Run the whole picture: docker compose -f deploy/compose.yaml up
# The same image serves (`serve --workers N`), runs the background loops (`worker`) and upgrades the database
# (`db upgrade`): see docs/scaling.md.

# --- The portal's stylesheet and scripts, from the npm packages pinned in package-lock.json -----------------------
FROM node:22-bookworm-slim AS assets
RUN apt-get update -qq && apt-get install -y -qq --no-install-recommends make && rm -rf /var/lib/apt/lists/*
WORKDIR /build
COPY package.json package-lock.json Makefile ./
COPY frontend/ frontend/
RUN npm ci --omit=dev --no-audit --no-fund --loglevel=error && touch node_modules/.installed-run \
    && make src/townsquare/web/static/build/.built

# --- The platform -------------------------------------------------------------------------------------------------
FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    TOWNSQUARE_HOST=0.0.0.0 \
    TOWNSQUARE_PORT=8000 \
    TOWNSQUARE_DATA_DIR=/var/lib/townsquare \
    TOWNSQUARE_LOG_FORMAT=json
# Tesseract reads scanned letters (English and French); nothing else comes from Debian.
RUN apt-get update -qq \
    && apt-get install -y -qq --no-install-recommends tesseract-ocr tesseract-ocr-eng tesseract-ocr-fra \
    && rm -rf /var/lib/apt/lists/* \
    && groupadd --system --gid 10001 townsquare \
    && useradd --system --uid 10001 --gid townsquare --home-dir /var/lib/townsquare --shell /usr/sbin/nologin townsquare \
    && install -d -o townsquare -g townsquare /var/lib/townsquare
WORKDIR /opt/townsquare
COPY requirements/base.lock requirements/base.lock
RUN pip install --quiet -r requirements/base.lock
COPY pyproject.toml README.md ./
COPY src/ src/
COPY --from=assets /build/src/townsquare/web/static/build/ src/townsquare/web/static/build/
RUN pip install --quiet --no-deps . && rm -rf src build
USER townsquare
WORKDIR /var/lib/townsquare
EXPOSE 8000
# Alive: the process answers. Readiness (/readyz) is the load balancer's to check (deploy/haproxy.cfg).
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=2)"]
STOPSIGNAL SIGTERM
ENTRYPOINT ["townsquare"]
CMD ["serve", "--no-migrate"]
