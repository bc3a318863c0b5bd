using System.Management.Automation;
using TraceCraft.Errors;

namespace TraceCraft.PowerShell.Errors
{
    /// <summary>Turns engine errors into ErrorRecords: the code's name is the ErrorId, the category fits the code.</summary>
    internal static class ErrorRecordFactory
    {
        public static ErrorRecord Create(TcException e) =>
            new ErrorRecord(e, e.Code.ToString(), CategoryOf(e.Code), e.Target);

        public static ErrorCategory CategoryOf(TcErrorCode code) => code switch
        {
            TcErrorCode.InvalidIdentifier or TcErrorCode.InvalidArgument or TcErrorCode.UsageError or TcErrorCode.DependencyCycle or TcErrorCode.ConflictingConditions => ErrorCategory.InvalidArgument,
            TcErrorCode.ConfigNotFound or TcErrorCode.BucketNotFound or TcErrorCode.MemoryKeyNotFound or TcErrorCode.ArtifactNotFound or TcErrorCode.FileNotFound => ErrorCategory.ObjectNotFound,
            TcErrorCode.ConfigInvalid or TcErrorCode.CorruptObject or TcErrorCode.MarkedBlockDamaged => ErrorCategory.InvalidData,
            TcErrorCode.NativeCommandNotPackaged => ErrorCategory.NotInstalled,
            TcErrorCode.StoreUnreachable => ErrorCategory.ConnectionError,
            TcErrorCode.AccessDenied => ErrorCategory.PermissionDenied,
            TcErrorCode.CredentialsNotFound => ErrorCategory.AuthenticationError,
            TcErrorCode.StepNotOwned => ErrorCategory.PermissionDenied,
            TcErrorCode.StepAlreadyClaimed => ErrorCategory.ResourceBusy,
            TcErrorCode.DestinationExists or TcErrorCode.StepSpecExists => ErrorCategory.ResourceExists,
            TcErrorCode.WaitTimeout => ErrorCategory.OperationTimeout,
            TcErrorCode.MemoryVersionMismatch or TcErrorCode.ClaimLost or TcErrorCode.StepNotClaimed or TcErrorCode.StepFinished or TcErrorCode.StepNotReady => ErrorCategory.InvalidOperation,
            TcErrorCode.StepBlocked or TcErrorCode.StepFailed => ErrorCategory.OperationStopped,
            TcErrorCode.ValueTooLarge or TcErrorCode.ValueTooDeep => ErrorCategory.LimitsExceeded,
            _ => ErrorCategory.NotSpecified,
        };

        /// <summary>Errors that mean the command cannot run at all (terminating), rather than one item failed.</summary>
        public static bool IsFatal(TcErrorCode code) => code is TcErrorCode.ConfigNotFound or TcErrorCode.ConfigInvalid
            or TcErrorCode.StoreUnreachable or TcErrorCode.AccessDenied or TcErrorCode.CredentialsNotFound or TcErrorCode.BucketNotFound;
    }
}
