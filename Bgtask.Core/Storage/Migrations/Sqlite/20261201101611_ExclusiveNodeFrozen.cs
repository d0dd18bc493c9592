using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Bgtask.Core.Storage.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class ExclusiveNodeFrozen : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "Exclusive",
                table: "bgtask_tasks",
                type: "TEXT",
                maxLength: 200,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "ExclusiveHeld",
                table: "bgtask_tasks",
                type: "TEXT",
                maxLength: 200,
                nullable: true);

            migrationBuilder.AddColumn<bool>(
                name: "Frozen",
                table: "bgtask_tasks",
                type: "INTEGER",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<string>(
                name: "RunnerNode",
                table: "bgtask_tasks",
                type: "TEXT",
                maxLength: 255,
                nullable: true);

            migrationBuilder.CreateIndex(
                name: "IX_bgtask_tasks_ExclusiveHeld",
                table: "bgtask_tasks",
                column: "ExclusiveHeld",
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_bgtask_tasks_ExclusiveHeld",
                table: "bgtask_tasks");

            migrationBuilder.DropColumn(
                name: "Exclusive",
                table: "bgtask_tasks");

            migrationBuilder.DropColumn(
                name: "ExclusiveHeld",
                table: "bgtask_tasks");

            migrationBuilder.DropColumn(
                name: "Frozen",
                table: "bgtask_tasks");

            migrationBuilder.DropColumn(
                name: "RunnerNode",
                table: "bgtask_tasks");
        }
    }
}
