# escape=`
FROM golang:1.23 AS build
WORKDIR /src
COPY . .
RUN CGO_ENABLED=0 go build `
    -ldflags "-s -w" `
    -o /out/agent .

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/agent /agent
ENTRYPOINT ["/agent"]
