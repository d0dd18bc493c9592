using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Bgtask.Core.Storage.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class FrozenFrom : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<int>(
                name: "FrozenFrom",
                table: "bgtask_tasks",
                type: "INTEGER",
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "FrozenFrom",
                table: "bgtask_tasks");
        }
    }
}
