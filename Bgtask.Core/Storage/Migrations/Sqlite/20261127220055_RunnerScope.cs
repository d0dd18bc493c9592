using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Bgtask.Core.Storage.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class RunnerScope : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "StopReason",
                table: "bgtask_tasks",
                type: "TEXT",
                maxLength: 200,
                nullable: true);

            migrationBuilder.CreateIndex(
                name: "IX_bgtask_tasks_TokenHash",
                table: "bgtask_tasks",
                column: "TokenHash");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_bgtask_tasks_TokenHash",
                table: "bgtask_tasks");

            migrationBuilder.DropColumn(
                name: "StopReason",
                table: "bgtask_tasks");
        }
    }
}
