using System.Management.Automation;
using System.Reflection;

namespace TraceCraft.PowerShell
{
    /// <summary>
    /// Lets the module's <c>tracecraft</c> function mark its own call as failed ($? = $false, so that
    /// <c>pwsh -Command "tracecraft ..."</c> exits 1) without printing a second error.
    /// </summary>
    /// <remarks>
    /// The function must be a simple one (no [CmdletBinding()], arguments in $args): an advanced function takes
    /// -Verbose, -Debug, -ErrorAction, -D, -e, -o ... as PowerShell's common parameters and the CLI never sees them.
    /// But only a command's own runtime can fail its call: in a simple function $PSCmdlet does not exist, and an error
    /// written by Write-Error or a nested command fails only that inner statement. The function's runtime is reached
    /// here through PowerShell's internals (the engine context behind $ExecutionContext, the command processor running
    /// now, its runtime), read by reflection; writing the error there is what $PSCmdlet.WriteError does in an advanced
    /// function. When a PowerShell version lacks one of these members nothing is written and false is returned: the
    /// exit code ($LASTEXITCODE) and the message on stderr are then still right, only $? stays true. The module's tests
    /// pin the behaviour on the pinned engine.
    /// </remarks>
    public static class ScriptFunctionStatus
    {
        private const BindingFlags Instance = BindingFlags.Instance | BindingFlags.NonPublic | BindingFlags.Public;

        /// <summary>
        /// Writes <paramref name="record"/> through the runtime of the function that is running (the caller's
        /// $ExecutionContext), under that function's $ErrorActionPreference; true when it could.
        /// </summary>
        public static bool WriteErrorOfRunningFunction(EngineIntrinsics engine, ErrorRecord record)
        {
            object? context = typeof(EngineIntrinsics).GetField("_context", Instance)?.GetValue(engine);
            object? processor = context?.GetType().GetProperty("CurrentCommandProcessor", Instance)?.GetValue(context);
            if (processor?.GetType().GetProperty("CommandRuntime", Instance)?.GetValue(processor) is not ICommandRuntime runtime) return false;
            runtime.WriteError(record);
            return true;
        }
    }
}
