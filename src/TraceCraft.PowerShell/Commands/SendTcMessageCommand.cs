using System.Management.Automation;
using TraceCraft.PowerShell.Completers;

namespace TraceCraft.PowerShell.Commands
{
    /// <summary>Sends a message to an agent, or to every agent with -To _broadcast.</summary>
    [Cmdlet(VerbsCommunications.Send, "TcMessage")]
    [OutputType(typeof(Message))]
    public sealed class SendTcMessageCommand : TcCmdlet
    {
        /// <summary>The recipient agent id, or _broadcast for everyone.</summary>
        [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true, HelpMessage = "An agent id, or _broadcast.")]
        [ArgumentCompleter(typeof(RecipientCompleter))]
        public string To { get; set; } = "";

        /// <summary>The message text.</summary>
        [Parameter(Mandatory = true, Position = 1, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [Alias("Message")]
        [AllowEmptyString]
        public string Text { get; set; } = "";

        protected override void ProcessItem() => WriteObject(Run((s, ct) => s.Messages.SendAsync(To, Text, ct)));
    }
}
