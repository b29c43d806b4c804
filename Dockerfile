# Build the server, then run it on a slim image with only libpq beside it.
FROM rust:1.95-bookworm AS build
RUN apt-get update && apt-get install -y --no-install-recommends libpq-dev && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN cargo build --release --locked --bin zhenxing

FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends libpq5 ca-certificates fonts-noto-cjk \
    && rm -rf /var/lib/apt/lists/* && useradd --system --uid 10001 zhenxing \
    && mkdir -p /app/keys /app/attachments && chown zhenxing /app/keys /app/attachments
COPY --from=build /src/target/release/zhenxing /usr/local/bin/zhenxing
COPY data/regions /app/data/regions
WORKDIR /app
USER zhenxing
ENV ZX_BIND=0.0.0.0:8080 ZX_LOG_FORMAT=json ZX_JWT_KEYS_DIR=/app/keys ZX_ATTACHMENT_DIR=/app/attachments
EXPOSE 8080
ENTRYPOINT ["zhenxing"]
CMD ["serve"]
