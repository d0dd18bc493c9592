using Bgtask.Api.Auth;
using Bgtask.Api.Cluster;
using Bgtask.Api.Configs;
using Bgtask.Api.Dashboard;
using Bgtask.Api.Events;
using Bgtask.Api.Health;
using Bgtask.Api.History;
using Bgtask.Api.Launches;
using Bgtask.Api.Limits;
using Bgtask.Api.Logging;
using Bgtask.Api.Memory;
using Bgtask.Api.Nodes;
using Bgtask.Api.OpenApi;
using Bgtask.Api.Problems;
using Bgtask.Api.RateLimiting;
using Bgtask.Api.Signals;
using Bgtask.Api.Storage;
using Bgtask.Api.Supervision;
using Bgtask.Api.TaskLogs;
using Bgtask.Api.TaskTypes;
using Bgtask.Api.Tasks;
using Bgtask.Api.Telemetry;
using Bgtask.Api.Validation;
using Bgtask.Api.WorkerChannel;
using Bgtask.Api.WorkerRoutes;

// appsettings.json is read from beside the assembly, not from the working directory: the same settings however and
// from wherever the service is started.
var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });

builder.AddBgtaskLogging();
builder.AddBgtaskStorage();
builder.AddBgtaskCluster();
builder.AddBgtaskLimits();
builder.AddBgtaskProblems();
builder.AddBgtaskValidation();
builder.AddBgtaskSignals();
builder.AddBgtaskEvents();
builder.AddBgtaskHistory();
builder.AddBgtaskTelemetry();
builder.AddBgtaskLaunchers();
builder.AddBgtaskNodes(); // before the supervisor: a node claims its name before it sweeps
builder.AddBgtaskSupervision();
builder.AddBgtaskHealth();
builder.AddBgtaskAuth();
builder.AddBgtaskRateLimiting();
builder.AddBgtaskSwagger();
builder.AddBgtaskMemory();

var app = builder.Build();

// The worker routes branch off here, before the browser-facing middleware (WorkerRoutes/WorkerPipelineSetup).
app.UseBgtaskWorkerPipeline();

// Outside the exception handler, so the request log shows the status actually sent (503 in an outage, 499 for
// a client that went away), not a 500 for every exception the handler then turned into something else.
app.UseBgtaskRequestLogging();
app.UseExceptionHandler();
app.UseStatusCodePages();
app.UseBgtaskSwagger();
app.UseBgtaskDashboard();
app.UseBgtaskAuth();
app.UseBgtaskRateLimiting();
app.UseMiddleware<RequestBodyLimitMiddleware>();

app.MapLaunchEndpoints();
app.MapTaskEndpoints();
app.MapTaskStateEndpoints();
app.MapWorkerChannelEndpoints();
app.MapTaskControlEndpoints();
app.MapSignalEndpoints();
app.MapConfigEndpoints();
app.MapLogEndpoints();
app.MapHistoryEndpoints();
app.MapTaskTypeEndpoints();
app.MapNodeEndpoints();
app.MapEventEndpoints();
app.MapBgtaskHealth();
app.MapBgtaskMetrics();

await app.PrepareBgtaskDatabaseAsync();
await app.RunAsync();
