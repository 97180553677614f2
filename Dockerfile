# minilb-server image: build the one-file bundle with the full toolchain, then ship only the
# Node binary, the C libraries it links and the bundle (no shell, no package manager, no npm).
# The bundle needs no node_modules at run time.
# Node 22 LTS, chosen by `npm run bench` (footprint section): on the same cluster minilb took
# 77 MiB idle and 106 MiB at 1,000 Services on Node 22 against 94 and 115 on Node 24 (Node 24's
# own floor is 11 MiB higher). Node 22 is supported until April 2027: measure 24 again before then.
FROM node:22-bookworm-slim AS build
WORKDIR /src
COPY package.json package-lock.json tsconfig.json ./
COPY packages/server/package.json packages/server/tsconfig.json packages/server/
COPY packages/cli/package.json packages/cli/tsconfig.json packages/cli/
RUN npm ci --no-audit --no-fund
COPY packages/server/scripts packages/server/scripts
COPY packages/server/src packages/server/src
RUN node packages/server/scripts/bundle.mjs
# The runtime file system: node and exactly the shared libraries ldd says it loads.
RUN mkdir -p /rootfs/usr/local/bin \
 && cp /usr/local/bin/node /rootfs/usr/local/bin/node \
 && ldd /usr/local/bin/node | grep -o '/[^ ]*' | xargs -I{} cp --parents -L {} /rootfs/ \
 && cp -r /src/packages/server/dist/bundle /rootfs/app

FROM scratch
COPY --from=build /rootfs /
# Port 53 needs no capability: the pod sets net.ipv4.ip_unprivileged_port_start (a namespaced,
# safe sysctl) to 53, as examples/deploy and the Helm chart do.
USER 65532:65532
EXPOSE 53/udp 53/tcp 8080/tcp
ENTRYPOINT ["/usr/local/bin/node", "/app/minilb-server.mjs"]
