FROM eclipse-temurin:21-jdk-jammy AS build
WORKDIR /src
COPY gradlew settings.gradle.kts build.gradle.kts ./
COPY gradle ./gradle
RUN ./gradlew --no-daemon dependencies
COPY src ./src
RUN ./gradlew --no-daemon bootJar \
 && jlink --add-modules java.base,java.logging,java.naming,java.sql --strip-debug --no-header-files \
      --no-man-pages --output /jre

FROM gcr.io/distroless/base-debian12:nonroot
COPY --from=build /jre /opt/jre
COPY --from=build /src/build/libs/service.jar /opt/service.jar
ENTRYPOINT ["/opt/jre/bin/java", "-jar", "/opt/service.jar"]
