# The claimwatch worker image: serves the monitor and backfill deployments.
# Built in two stages: the first has a C compiler, so setup.py can compile the matcher with mypyc; the image
# itself carries only the virtual environment that stage installed.
FROM python:3.11-slim AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1
RUN apt-get update && apt-get install --yes --no-install-recommends gcc libc6-dev && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY pyproject.toml setup.py README.md ./
COPY claimwatch ./claimwatch
COPY sources ./sources
COPY matchers ./matchers
COPY seeds ./seeds
COPY store ./store
COPY alerts ./alerts
COPY flows ./flows
RUN python -m venv /opt/claimwatch && /opt/claimwatch/bin/pip install --no-cache-dir . \
    && cd / && /opt/claimwatch/bin/python -c "from matchers import compiled; assert compiled.STATE == 'compiled', compiled.STATE"

FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PATH=/opt/claimwatch/bin:$PATH
COPY --from=build /opt/claimwatch /opt/claimwatch
RUN useradd --create-home claimwatch
USER claimwatch
WORKDIR /home/claimwatch
CMD ["claimwatch", "serve"]
