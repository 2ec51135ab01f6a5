# syntax=docker/dockerfile:1
# warden's container image: a release build in the Rust image, run as a non-root user in
# distroless (glibc and libgcc, no shell, no package manager). See docs/deploy.md for what
# was built and run where, and deploy/compose.yaml for PostgreSQL with two replicas.
#
#   docker build --build-arg WARDEN_GIT_HASH="$(git rev-parse --short HEAD)" -t warden .
#   docker run -p 8080:8080 -v warden-data:/data warden

ARG RUST_VERSION=1.88

# The slim Rust image has gcc and libc6-dev, which bundled SQLite and ring compile with.
FROM rust:${RUST_VERSION}-slim-bookworm AS builder
WORKDIR /src
COPY . .
# Shown by /metrics as warden_build{git=...}; no build script runs git.
ARG WARDEN_GIT_HASH=unknown
ENV WARDEN_GIT_HASH=${WARDEN_GIT_HASH}
RUN --mount=type=cache,target=/usr/local/cargo/registry \
    --mount=type=cache,target=/src/target \
    cargo build --release --locked --bin warden \
    && install -D -m 0755 target/release/warden /out/usr/local/bin/warden \
    && install -d -o 65532 -g 65532 -m 0700 /out/data \
    && mkdir -p /out/etc/warden \
    && cp -r policies /out/etc/warden/policies

FROM gcr.io/distroless/cc-debian12:nonroot
COPY --from=builder /out/usr/local/bin/warden /usr/local/bin/warden
COPY --from=builder /out/etc/warden /etc/warden
COPY --from=builder --chown=65532:65532 /out/data /data
# Inside the container the server listens on every interface (the port is what is
# published); the database file lives on the /data volume; policies are the shipped ones
# unless a directory is mounted over /etc/warden/policies. Logs: JSON lines, one per request.
# Secrets come from files: WARDEN_JWT_SECRET_FILE, WARDEN_OPERATIONS_KEY_FILE,
# WARDEN_DB_FILE (a postgres:// URL with its password), WARDEN_ADMIN_PASSWORD_FILE.
ENV WARDEN_LISTEN=0.0.0.0:8080 \
    WARDEN_DB=/data/warden.db \
    WARDEN_POLICIES=/etc/warden/policies \
    WARDEN_LOG_LEVEL=info \
    WARDEN_LOG_FORMAT=json \
    WARDEN_DRAIN_SECONDS=5
WORKDIR /data
VOLUME ["/data"]
EXPOSE 8080
USER 65532:65532
# SIGTERM starts the drain (/readyz 503 for WARDEN_DRAIN_SECONDS), then in-flight requests
# get up to 30 s: give the container a stop timeout above the sum (docker stop -t 40).
STOPSIGNAL SIGTERM
# The binary probes itself: no curl in distroless. 0 while /healthz answers 200.
HEALTHCHECK --interval=10s --timeout=5s --start-period=20s --retries=3 \
    CMD ["/usr/local/bin/warden", "health", "--timeout", "3"]
ENTRYPOINT ["/usr/local/bin/warden"]
CMD ["serve"]
