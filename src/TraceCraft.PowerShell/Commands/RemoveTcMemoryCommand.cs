using System.Management.Automation;
using TraceCraft.Errors;
using TraceCraft.PowerShell.Completers;

namespace TraceCraft.PowerShell.Commands
{
    /// <summary>Deletes shared memory entries.</summary>
    [Cmdlet(VerbsCommon.Remove, "TcMemory", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
    [OutputType(typeof(void))]
    public sealed class RemoveTcMemoryCommand : TcCmdlet
    {
        /// <summary>The keys to delete. A missing key is a MemoryKeyNotFound error.</summary>
        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [ArgumentCompleter(typeof(MemoryKeyCompleter))]
        public string[] Key { get; set; } = System.Array.Empty<string>();

        protected override void ProcessItem()
        {
            foreach (var key in Key)
            {
                ForItem(() =>
                {
                    Keys.IdValidator.Validate(Keys.IdKind.MemoryKey, key);
                    if (!ShouldProcess(key, "Remove memory entry")) return;
                    if (!Run((s, ct) => s.Memory.RemoveAsync(key, ct)))
                        throw new TcException(TcErrorCode.MemoryKeyNotFound, $"Memory key not found: {key}", key);
                });
            }
        }
    }
}
