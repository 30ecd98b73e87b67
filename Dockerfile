# syntax=docker/dockerfile:1
# The vibeguard container image: one static (musl) binary on an empty base, run as a non-root
# user: the stripped binary (34.5 MB) and the CA certificates, nothing else.
#
#   docker build -t vibeguard .
#   docker run --rm -v "$PWD:/work" vibeguard audit /work
#   docker run --rm --network host -v "$PWD:/work" vibeguard audit /work --target http://127.0.0.1:3000

# Build stage: Alpine's toolchain links against musl, so the binary needs no libc at run time.
FROM rust:1.95-alpine AS build
# C compilers for the crates that build C (tree-sitter grammars, SQLite, mimalloc, aws-lc).
RUN apk add --no-cache build-base cmake perl ca-certificates
WORKDIR /src
COPY . .
ENV CARGO_PROFILE_RELEASE_DEBUG=false \
    CARGO_PROFILE_RELEASE_STRIP=symbols
RUN cargo build --release --locked -p vibeguard-cli \
 && install -D -m 0755 target/release/vibeguard /out/usr/local/bin/vibeguard \
 && install -d -m 0755 /out/etc/ssl/certs \
 && cp /etc/ssl/certs/ca-certificates.crt /out/etc/ssl/certs/ \
 && echo 'vibeguard:x:10001:10001:vibeguard:/home/vibeguard:/sbin/nologin' > /out/etc/passwd \
 && echo 'vibeguard:x:10001:' > /out/etc/group \
 && install -d -o 10001 -g 10001 -m 0755 /out/home/vibeguard /out/tmp /out/work

# Run stage: nothing but the binary, its certificates and a user to run as.
FROM scratch
COPY --from=build /out/ /
USER 10001:10001
ENV PATH=/usr/local/bin \
    HOME=/home/vibeguard \
    VIBEGUARD_CACHE_DIR=/home/vibeguard/.cache/vibeguard \
    SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt
WORKDIR /work
ENTRYPOINT ["vibeguard"]
CMD ["--help"]
