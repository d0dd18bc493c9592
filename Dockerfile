# Bgtask: the service and its worker in one image.
#   docker build -t bgtask .
#   docker run -p 8080:8080 -v bgtask-data:/data bgtask        (SQLite in the volume)
# docker-compose.yml runs it against MySQL instead.

FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src

# Native AOT worker (not yet): the native toolchain would go here, before any COPY, so it stays cached
# (or build FROM the sdk:10.0-noble-aot tag, which has it):
#   RUN apt-get update && apt-get install -y --no-install-recommends clang zlib1g-dev \
#       && rm -rf /var/lib/apt/lists/*

# Restore from the files restore reads, so the package layer is rebuilt only when they change, not on
# every source edit. The two entry projects are restored rather than Bgtask.sln, which also lists the
# test project (kept out of the build context by .dockerignore).
COPY global.json Directory.Build.props Directory.Packages.props ./
COPY Bgtask.Core/Bgtask.Core.csproj Bgtask.Core/
COPY Bgtask.Api/Bgtask.Api.csproj Bgtask.Api/
COPY Bgtask.Worker/Bgtask.Worker.csproj Bgtask.Worker/
RUN dotnet restore Bgtask.Api/Bgtask.Api.csproj \
    && dotnet restore Bgtask.Worker/Bgtask.Worker.csproj

COPY . .

# Both into one folder: the service is to find the worker beside its own binaries. The outputs do not
# overlap (the worker references neither Bgtask.Core nor any package; it adds only its Bgtask.Worker.*
# files), so the second publish cannot overwrite anything of the first.
RUN dotnet publish Bgtask.Api/Bgtask.Api.csproj -c Release -o /app --no-restore \
    && dotnet publish Bgtask.Worker/Bgtask.Worker.csproj -c Release -o /app --no-restore
# Native AOT worker (not yet): restore the worker for a runtime (`dotnet restore -r linux-x64 ...`) and
# publish it with `-r linux-x64 -p:PublishAot=true`; the result is a single native Bgtask.Worker (no
# .dll, no runtime needed) plus a Bgtask.Worker.dbg symbols file worth leaving out of /app.

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
# the response; the first line is "HTTP/1.1 200 OK" when healthy, 503 when not.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/8080 && printf 'GET /health/ready HTTP/1.0\\r\\nHost: localhost\\r\\n\\r\\n' >&3 && head -n 1 <&3 | grep -q ' 200 '"]

ENTRYPOINT ["dotnet", "Bgtask.Api.dll"]
