using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Bgtask.Core.Storage.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class Initial : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "bgtask_configs",
                columns: table => new
                {
                    Pid = table.Column<long>(type: "INTEGER", nullable: false),
                    Version = table.Column<int>(type: "INTEGER", nullable: false),
                    Json = table.Column<string>(type: "TEXT", nullable: false),
                    CreatedAt = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_bgtask_configs", x => new { x.Pid, x.Version });
                });

            migrationBuilder.CreateTable(
                name: "bgtask_log",
                columns: table => new
                {
                    Pid = table.Column<long>(type: "INTEGER", nullable: false),
                    Seq = table.Column<long>(type: "INTEGER", nullable: false),
                    At = table.Column<DateTime>(type: "TEXT", nullable: false),
                    Line = table.Column<string>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_bgtask_log", x => new { x.Pid, x.Seq });
                });

            migrationBuilder.CreateTable(
                name: "bgtask_signals",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    Pid = table.Column<long>(type: "INTEGER", nullable: false),
                    Signal = table.Column<string>(type: "TEXT", unicode: false, maxLength: 64, nullable: false),
                    CreatedAt = table.Column<DateTime>(type: "TEXT", nullable: false),
                    ClaimedBy = table.Column<long>(type: "INTEGER", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_bgtask_signals", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "bgtask_tasks",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    Task = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    Description = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: true),
                    Launcher = table.Column<int>(type: "INTEGER", nullable: false),
                    ParentId = table.Column<long>(type: "INTEGER", nullable: true),
                    Status = table.Column<int>(type: "INTEGER", nullable: false),
                    OpTotal = table.Column<long>(type: "INTEGER", nullable: false),
                    OpFinished = table.Column<long>(type: "INTEGER", nullable: false),
                    Memory = table.Column<long>(type: "INTEGER", nullable: false),
                    MemoryPeak = table.Column<long>(type: "INTEGER", nullable: false),
                    Message = table.Column<string>(type: "TEXT", maxLength: 4000, nullable: true),
                    CreatedAt = table.Column<DateTime>(type: "TEXT", nullable: false),
                    StartedAt = table.Column<DateTime>(type: "TEXT", nullable: true),
                    FinishedAt = table.Column<DateTime>(type: "TEXT", nullable: true),
                    HeartbeatAt = table.Column<DateTime>(type: "TEXT", nullable: true),
                    Rate = table.Column<double>(type: "REAL", nullable: true),
                    RateSinceOps = table.Column<long>(type: "INTEGER", nullable: true),
                    RateSinceAt = table.Column<DateTime>(type: "TEXT", nullable: true),
                    ConfigVersion = table.Column<int>(type: "INTEGER", nullable: false),
                    TimeoutSeconds = table.Column<int>(type: "INTEGER", nullable: true),
                    RunnerHost = table.Column<string>(type: "TEXT", maxLength: 255, nullable: true),
                    RunnerOsPid = table.Column<int>(type: "INTEGER", nullable: true),
                    RunnerStartedAt = table.Column<DateTime>(type: "TEXT", nullable: true),
                    TokenHash = table.Column<string>(type: "TEXT", unicode: false, maxLength: 64, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_bgtask_tasks", x => x.Id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_bgtask_signals_Pid_Id",
                table: "bgtask_signals",
                columns: new[] { "Pid", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_bgtask_tasks_ParentId",
                table: "bgtask_tasks",
                column: "ParentId");

            migrationBuilder.CreateIndex(
                name: "IX_bgtask_tasks_Status",
                table: "bgtask_tasks",
                column: "Status");

            migrationBuilder.CreateIndex(
                name: "IX_bgtask_tasks_Task",
                table: "bgtask_tasks",
                column: "Task");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "bgtask_configs");

            migrationBuilder.DropTable(
                name: "bgtask_log");

            migrationBuilder.DropTable(
                name: "bgtask_signals");

            migrationBuilder.DropTable(
                name: "bgtask_tasks");
        }
    }
}
