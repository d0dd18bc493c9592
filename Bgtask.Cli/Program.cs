using Bgtask.Cli;

// bgtask: the command-line client of the Bgtask HTTP contract. The command tree is in BgtaskCommand; every
// command's outcome becomes an exit code in Guard (ExitCodes lists them).
return await BgtaskCommand.Create().RunAsync(args);
