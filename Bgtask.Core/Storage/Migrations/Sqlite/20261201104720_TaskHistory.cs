using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Bgtask.Core.Storage.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class TaskHistory : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "bgtask_history",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    Pid = table.Column<long>(type: "INTEGER", nullable: false),
                    At = table.Column<DateTime>(type: "TEXT", nullable: false),
                    OpFinished = table.Column<long>(type: "INTEGER", nullable: false),
                    OpTotal = table.Column<long>(type: "INTEGER", nullable: false),
                    Memory = table.Column<long>(type: "INTEGER", nullable: false),
                    Status = table.Column<int>(type: "INTEGER", nullable: false),
                    StatusChange = table.Column<bool>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_bgtask_history", x => x.Id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_bgtask_history_Pid_At",
                table: "bgtask_history",
                columns: new[] { "Pid", "At" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "bgtask_history");
        }
    }
}
