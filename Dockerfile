# Bgtask: the service and its Native AOT worker in one image.
#   docker build -t bgtask .
#   docker run --init -p 8080:8080 -v bgtask-data:/data bgtask   (SQLite in the volume; README "Docker" adds
#                                                                 the API key that requests from the host need)
# docker-compose.yml runs it against MySQL instead.

FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src

# The Native AOT toolchain for the worker, before any COPY, so this layer stays cached.
RUN apt-get update \
    && apt-get install -y --no-install-recommends clang zlib1g-dev \
    && rm -rf /var/lib/apt/lists/*

# Restore from the files restore reads, so the package layer (with the ILCompiler package of the native worker) is
# rebuilt only when they change, not on every source edit. The test project is kept out of the build context by
# .dockerignore.
COPY global.json Directory.Build.props Directory.Packages.props ./
COPY Bgtask.Core/Bgtask.Core.csproj Bgtask.Core/
COPY Bgtask.Api/Bgtask.Api.csproj Bgtask.Api/
COPY Bgtask.Worker/Bgtask.Worker.csproj Bgtask.Worker/Bgtask.Worker.Gc.props Bgtask.Worker/
COPY scripts/publish.sh scripts/
RUN scripts/publish.sh --restore

COPY . .

# The service and, beside it, the worker compiled with Native AOT (Bgtask.Worker, found there by the process
# launcher): the same script the tests run (Bgtask.Tests/Packaging), so what is tested is what ships.
RUN scripts/publish.sh /app

FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS runtime
WORKDIR /app

# The app user (UID $APP_UID = 1654, from the base image) may write only here: /data for the default
# SQLite database, /app/logs for the rolling log file (appsettings.json names it relative to the working
# directory: logs/bgtask-.log). The binaries stay root-owned and read-only to the service. The chown
# comes before VOLUME: a named volume mounted on an empty /data starts with this ownership.
RUN mkdir -p /data /app/logs && chown "$APP_UID:$APP_UID" /data /app/logs

COPY --from=build /app ./

ENV ASPNETCORE_HTTP_PORTS=8080 \
    ConnectionStrings__Bgtask="Data Source=/data/bgtask.db"
VOLUME /data
EXPOSE 8080
USER $APP_UID

# The image has no curl or wget; bash (in the default Ubuntu-based tag, not in the chiseled or Alpine
# ones) speaks HTTP through its /dev/tcp redirection, so the check needs nothing installed. /health/ready
# answers 200 only when the database answers too. HTTP/1.0 makes Kestrel close the connection after
# the response; the first line is "HTTP/1.1 200 OK" when healthy, 503 when not. The first check comes one
# interval after the start, well after the service is up, so no --start-period (which dockerfilelint 1.8.0,
# the linter of the tests, misreads).
HEALTHCHECK --interval=30s --timeout=5s --retries=3 \
    CMD ["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/8080 && printf 'GET /health/ready HTTP/1.0\\r\\nHost: localhost\\r\\n\\r\\n' >&3 && head -n 1 <&3 | grep -q ' 200 '"]

ENTRYPOINT ["dotnet", "Bgtask.Api.dll"]
