# meet-invite: a static binary on a distroless base, run as a non-root user,
# with no shell or package manager in the image.
#
#   docker build --build-arg VERSION=v1.2.3 --build-arg COMMIT=$(git rev-parse HEAD) -t meet-invite .
#   docker run --env-file .env -p 9090:9090 meet-invite            # or: … meet-invite check 914083136
#
# The binary is built by .ci/build, the script CI builds and tests with.

FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=devel
ARG COMMIT=
RUN VERSION="$VERSION" COMMIT="$COMMIT" sh .ci/build /out/meet-invite

# static-debian12 holds CA certificates and tzdata, and nothing that runs.
FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/meet-invite /meet-invite
USER nonroot:nonroot
# /livez, /readyz, /healthz and /metrics; deploy/kubernetes probes this port.
ENV OPS_ADDR=:9090
EXPOSE 9090
ENTRYPOINT ["/meet-invite"]
