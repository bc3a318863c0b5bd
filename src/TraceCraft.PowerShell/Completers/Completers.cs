using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Language;

namespace TraceCraft.PowerShell.Completers
{
    // One completer per kind of value, each a single expression over CompletionHelper.

    /// <summary>Step ids found in the bucket.</summary>
    public sealed class StepIdCompleter : IArgumentCompleter
    {
        public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters) =>
            CompletionHelper.Complete("steps", wordToComplete, s => s.Steps.ListAsync().GetAwaiter().GetResult().Select(x => x.Id));
    }

    /// <summary>Registered agent ids.</summary>
    public sealed class AgentIdCompleter : IArgumentCompleter
    {
        public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters) =>
            CompletionHelper.Complete("agents", wordToComplete, s => s.Agents.ListAsync().GetAwaiter().GetResult().Select(x => x.Id));
    }

    /// <summary>Registered agent ids and <c>_broadcast</c>.</summary>
    public sealed class RecipientCompleter : IArgumentCompleter
    {
        public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters) =>
            CompletionHelper.Complete("agents", wordToComplete, s => s.Agents.ListAsync().GetAwaiter().GetResult().Select(x => x.Id), Keys.IdValidator.Broadcast);
    }

    /// <summary>Memory keys.</summary>
    public sealed class MemoryKeyCompleter : IArgumentCompleter
    {
        public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters) =>
            CompletionHelper.Complete("memory", wordToComplete, s => s.Memory.ListKeysAsync().GetAwaiter().GetResult());
    }

    /// <summary>
    /// Artifact names: of the step named by -Step when one is typed, of the shared folder with -Shared, else of all
    /// steps and the shared folder (so that -Name typed before -Step still completes).
    /// </summary>
    public sealed class ArtifactNameCompleter : IArgumentCompleter
    {
        public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
        {
            string? step = CompletionHelper.Bound(fakeBoundParameters, "Step") as string;
            if (string.IsNullOrEmpty(step)) step = null;
            bool shared = step is null && CompletionHelper.Bound(fakeBoundParameters, "Shared") is SwitchParameter { IsPresent: true } or true;
            // The cache is per listing: a step's names are not those of the whole project.
            string kind = step is not null ? "artifacts|step|" + step : shared ? "artifacts|shared" : "artifacts";
            return CompletionHelper.Complete(kind, wordToComplete, s => s.Artifacts.ListAsync(step, shared).GetAwaiter().GetResult().Select(x => x.Name));
        }
    }
}
