# hoopctl gateway image: multi-stage (better-sqlite3 compiles a native module), runs as non-root on a
# distroless base with nothing but node, and works with a read-only root filesystem (state lives in the
# store: PostgreSQL for replicas, or a SQLite file on a mounted volume).
#   docker build -t hoopctl-gateway .
#   docker run --read-only -v $PWD/gateway.yaml:/etc/hoopctl/config/gateway.yaml:ro hoopctl-gateway
# syntax=docker/dockerfile:1

FROM node:20-bookworm-slim AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci
COPY tsconfig.json ./
COPY bin ./bin
COPY src ./src
COPY templates ./templates
RUN npm run build && npm prune --omit=dev

# Same Debian release (glibc) as the build stage, so the compiled better-sqlite3 module loads.
FROM gcr.io/distroless/nodejs20-debian12:nonroot
WORKDIR /app
COPY --from=build /src/package.json ./
COPY --from=build /src/bin ./bin
COPY --from=build /src/dist ./dist
COPY --from=build /src/node_modules ./node_modules
COPY --from=build /src/templates ./templates
# 65532 is distroless's "nonroot"; numeric so Kubernetes can check runAsNonRoot.
USER 65532:65532
ENV NODE_ENV=production HOOPCTL_LOG_FORMAT=json
EXPOSE 8080 9090
ENTRYPOINT ["/nodejs/bin/node", "/app/bin/hoopctl"]
CMD ["gateway", "serve", "--config", "/etc/hoopctl/config/gateway.yaml"]
