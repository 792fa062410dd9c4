# A herd node image: `docker build -t herd-node .`, then `docker run herd-node node Alford`
# (see docker-compose.yml and docs/scaling.md). The same image runs `setup` (topics and places).

# --- build -------------------------------------------------------------------------------------
FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
COPY pom.xml ./
COPY stream-processor/pom.xml stream-processor/
COPY node/pom.xml node/
COPY dev-broker/pom.xml dev-broker/
COPY stream-processor/src stream-processor/src
COPY node/src node/src
RUN mvn -B -q -pl node -am -DskipTests package

# --- run ---------------------------------------------------------------------------------------
FROM eclipse-temurin:17-jre
RUN groupadd --system --gid 10001 herd \
 && useradd --system --uid 10001 --gid herd --home-dir /app --shell /usr/sbin/nologin herd \
 && mkdir -p /app/lib /var/lib/herd /var/log/herd \
 && chown herd:herd /var/lib/herd /var/log/herd
WORKDIR /app
COPY --from=build /src/node/target/lib/ /app/lib/
COPY --from=build /src/node/target/node-0.1.0-SNAPSHOT.jar /app/lib/
COPY config/herd.properties /app/config/herd.properties
COPY data/places/ /app/data/places/
USER herd
ENV JAVA_OPTS="-Xms64m -Xmx1g -XX:+UseSerialGC" \
    HERD_CONFIG=/app/config/herd.properties \
    HERD_STATE_DIR=/var/lib/herd/state \
    HERD_LOGS_DIR=/var/log/herd \
    HERD_HERD_BIND_HOST=0.0.0.0 \
    HERD_HEALTH_PORT=18001
VOLUME ["/var/lib/herd"]
EXPOSE 12001-12005 17001-17005 18001-18005
# Healthy once the node has caught up with the topics and serves (GET /health answers 200).
HEALTHCHECK --interval=10s --timeout=5s --start-period=120s --retries=3 \
  CMD bash -c 'exec 3<>/dev/tcp/127.0.0.1/${HERD_HEALTH_PORT} && printf "GET /health HTTP/1.0\r\n\r\n" >&3 && head -1 <&3 | grep -q " 200 "'
ENTRYPOINT ["sh", "-c", "exec java $JAVA_OPTS -cp '/app/lib/*' org.herd.node.Main \"$@\"", "herd"]
CMD ["--help"]
