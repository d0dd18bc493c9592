using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Bgtask.Core.Storage.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class LaunchHeartbeatTimeout : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<int>(
                name: "HeartbeatTimeoutSeconds",
                table: "bgtask_tasks",
                type: "INTEGER",
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "HeartbeatTimeoutSeconds",
                table: "bgtask_tasks");
        }
    }
}
