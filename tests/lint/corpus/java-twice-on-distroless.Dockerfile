FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
COPY pom.xml .
RUN mvn -B dependency:go-offline
COPY src ./src
RUN mvn -B package

FROM gcr.io/distroless/java17-debian12:nonroot
COPY --from=build /src/target/app.jar /app.jar
CMD ["java", "-jar", "/app.jar"]
