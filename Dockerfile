# TTG worker image: ./runbook/build.ts --version 2.0.0 --load-kind
# Multi-stage: production dependencies are installed in one stage, the worker is bundled with
# esbuild in another (worker/write-bundle.ts, the bundle local workers run), and both are copied
# into a slim, non-root runtime that starts the bundle with plain node: no tsx at start-up.
# Version, git revision and build time arrive as build arguments.
ARG NODE_IMAGE=node:20.19.2-bookworm-slim

FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts=false --no-audit --no-fund && npm cache clean --force

FROM deps AS bundle
COPY package.json ./
COPY lib ./lib
COPY worker ./worker
RUN node --import tsx worker/write-bundle.ts dist

FROM ${NODE_IMAGE}
ARG VERSION=0.0.0-dev
ARG REVISION=unknown
ARG CREATED=unknown
LABEL org.opencontainers.image.title="ttg-worker" \
      org.opencontainers.image.description="TTG parameter-sweep worker (static, Redis Streams or RabbitMQ queue mode)" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.created="${CREATED}" \
      org.opencontainers.image.licenses="MIT"
ENV NODE_ENV=production \
    TTG_IMAGE_VERSION=${VERSION}
WORKDIR /app
COPY --from=deps --chown=0:0 /app/node_modules ./node_modules
COPY --from=bundle --chown=0:0 /app/dist ./dist
COPY --chown=0:0 package.json ./
COPY --chown=0:0 lib ./lib
COPY --chown=0:0 worker ./worker
COPY --chown=0:0 examples ./examples
# The image's files belong to root and are read-only to the worker; it writes only /tmp (tsx's
# cache, for a TypeScript COMPUTE_MODULE only), which the manifests mount as an emptyDir under a
# read-only root filesystem. lib/ and examples/ stay for compute modules that import them.
USER 1000:1000
CMD ["node", "dist/worker/main.mjs"]
