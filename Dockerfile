# fupin in a container: a build stage with the Rust toolchain and Node.js (the build fetches the
# pinned ECharts from the npm registry and embeds it), and a small runtime stage holding only the
# binary, run as an unprivileged user. Pages, scripts and styles are inside the binary; photos live
# in the database; import and export jobs write to /tmp. Build and run:
#   docker build -t fupin .
#   docker compose up -d          (fupin with PostgreSQL, see compose.yaml)

FROM rust:1.95-bookworm AS build
RUN apt-get update \
    && apt-get install -y --no-install-recommends nodejs npm \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN cargo build --release --locked -p fupin --bin fupin \
    && install -D -m 0755 target/release/fupin /out/fupin \
    && mkdir -p /out/data

# glibc and libgcc only, no shell, uid 65532 ("nonroot"): nothing but the binary to attack
FROM gcr.io/distroless/cc-debian12:nonroot
COPY --from=build /out/fupin /usr/local/bin/fupin
# the SQLite database (when no PostgreSQL URL is given) lives in this volume, writable by the user
COPY --from=build --chown=65532:65532 /out/data /var/lib/fupin
VOLUME /var/lib/fupin
WORKDIR /var/lib/fupin
ENV FUPIN_BIND=0.0.0.0:8080 \
    FUPIN_DATABASE_URL=sqlite:///var/lib/fupin/fupin.db
EXPOSE 8080
USER 65532:65532
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["/usr/local/bin/fupin", "probe"]
ENTRYPOINT ["/usr/local/bin/fupin"]
CMD ["serve"]
