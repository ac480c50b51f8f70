# Newsroom's HTTP API in a container. docker-compose.yml runs it on EventStoreDB
# (EVENTSTORE_URL); without that variable it keeps the embedded store in DATA_DIR.

# Build with the dev dependencies (TypeScript), then keep only the production ones.
FROM node:20-bookworm AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY projections ./projections
RUN npm run build && npm prune --omit=dev --no-audit --no-fund

# better-sqlite3 was compiled against bookworm's glibc above, so the runtime is bookworm too.
FROM node:20-bookworm-slim
# HOST=0.0.0.0: inside a container, 127.0.0.1 would be unreachable through a published port.
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000 \
    DATA_DIR=/var/lib/newsroom
WORKDIR /app
RUN mkdir -p /var/lib/newsroom && chown node:node /var/lib/newsroom
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
USER node
VOLUME /var/lib/newsroom
EXPOSE 3000
HEALTHCHECK --interval=10s --timeout=5s --start-period=20s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"
CMD ["node", "dist/src/main.js"]
