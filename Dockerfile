# The claimwatch worker image: serves the monitor and backfill deployments.
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /app
COPY pyproject.toml README.md ./
COPY claimwatch ./claimwatch
COPY sources ./sources
COPY matchers ./matchers
COPY seeds ./seeds
COPY store ./store
COPY alerts ./alerts
COPY flows ./flows
RUN pip install --no-cache-dir .
RUN useradd --create-home claimwatch
USER claimwatch
CMD ["claimwatch", "serve"]
