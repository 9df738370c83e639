# The binary is built by CI (goreleaser) and only packaged here.
FROM scratch
ARG TARGETPLATFORM
COPY dist/${TARGETPLATFORM}/mytool /mytool
USER 65532
ENTRYPOINT ["/mytool"]
CMD ["--help"]
