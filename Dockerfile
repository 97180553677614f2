# minilb-server image: build the one-file bundle with the full toolchain, run it on a slim
# Node LTS as a non-root user. The bundle needs no node_modules at run time.
FROM node:24-bookworm-slim AS build
WORKDIR /src
COPY package.json package-lock.json tsconfig.json ./
COPY packages/server/package.json packages/server/tsconfig.json packages/server/
COPY packages/cli/package.json packages/cli/tsconfig.json packages/cli/
RUN npm ci --no-audit --no-fund
COPY packages/server/scripts packages/server/scripts
COPY packages/server/src packages/server/src
RUN node packages/server/scripts/bundle.mjs

FROM node:24-bookworm-slim
# Binding port 53 as a non-root user needs the capability on the node binary itself.
RUN apt-get update && apt-get install -y --no-install-recommends libcap2-bin \
 && setcap cap_net_bind_service=+ep /usr/local/bin/node \
 && apt-get purge -y libcap2-bin && rm -rf /var/lib/apt/lists/*
COPY --from=build /src/packages/server/dist/bundle /app
USER 65532:65532
EXPOSE 53/udp 53/tcp 8080/tcp
ENTRYPOINT ["node", "/app/minilb-server.mjs"]
