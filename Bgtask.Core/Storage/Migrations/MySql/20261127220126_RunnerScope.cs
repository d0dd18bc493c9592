using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Bgtask.Core.Storage.Migrations.MySql
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
                type: "varchar(200)",
                maxLength: 200,
                nullable: true)
                .Annotation("MySql:CharSet", "utf8mb4");

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
