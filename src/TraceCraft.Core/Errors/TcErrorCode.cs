namespace TraceCraft.Errors
{
    /// <summary>
    /// Stable error codes. The name of each member is the PowerShell ErrorId and what scripts match on:
    /// never rename one, only add.
    /// </summary>
    public enum TcErrorCode
    {
        /// <summary>A step id, agent id, memory key or artifact name is empty, too long or unsafe.</summary>
        InvalidIdentifier,
        /// <summary>An argument has a value that cannot be used (other than an identifier).</summary>
        InvalidArgument,
        /// <summary>The command line of <c>tracecraft</c> is wrong (unknown verb or flag, missing argument).</summary>
        UsageError,
        /// <summary>No configuration was found: run init first.</summary>
        ConfigNotFound,
        /// <summary>The configuration file is not JSON or lacks required fields.</summary>
        ConfigInvalid,
        /// <summary>The store could not be reached (connection refused, DNS, timeout).</summary>
        StoreUnreachable,
        /// <summary>The store refused the credentials.</summary>
        AccessDenied,
        /// <summary>The bucket does not exist.</summary>
        BucketNotFound,
        /// <summary>Any other failure of the store.</summary>
        StoreFailed,
        /// <summary>An object in the store is not valid JSON or lacks fields.</summary>
        CorruptObject,
        /// <summary>A memory key does not exist.</summary>
        MemoryKeyNotFound,
        /// <summary>A compare-and-set on memory lost: the version changed or the key exists.</summary>
        MemoryVersionMismatch,
        /// <summary>Another agent holds the step.</summary>
        StepAlreadyClaimed,
        /// <summary>The step is claimed by another agent (complete without -Force, renew).</summary>
        StepNotOwned,
        /// <summary>The caller's claim was taken over (lease expired): its write was refused.</summary>
        ClaimLost,
        /// <summary>The caller holds no claim on the step.</summary>
        StepNotClaimed,
        /// <summary>A step waited for is blocked.</summary>
        StepBlocked,
        /// <summary>A wait ran out of time.</summary>
        WaitTimeout,
        /// <summary>An artifact does not exist.</summary>
        ArtifactNotFound,
        /// <summary>A local file to upload does not exist.</summary>
        FileNotFound,
        /// <summary>A download target exists and -Force was not given.</summary>
        DestinationExists,
        /// <summary>A step spec would create a dependency cycle.</summary>
        DependencyCycle,
        /// <summary>A step spec already exists with other content.</summary>
        StepSpecExists,
        /// <summary>The step is complete, blocked or waiting for review: it cannot be claimed or completed again until reopened.</summary>
        StepFinished,
        /// <summary>A value or message is bigger than one stored object may be (readers refuse bigger ones).</summary>
        ValueTooLarge,
        /// <summary>A JSON value nests deeper than is written (so that every client can read it back).</summary>
        ValueTooDeep,
        /// <summary>No S3 keys anywhere: not in the config, not in AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, no AWS profile.</summary>
        CredentialsNotFound,
        /// <summary>A declared dependency of the step is not complete yet.</summary>
        StepNotReady,
        /// <summary>A step waited for used up its attempts (New-TcStep -MaxAttempts).</summary>
        StepFailed,
        /// <summary>Two options that exclude each other were given (Set-TcMemory -IfAbsent with -IfVersion).</summary>
        ConflictingConditions,
        /// <summary>No mirrored session of that id is in the store.</summary>
        SessionNotFound,
        /// <summary>No transcript of the harness was found on this machine (no such folder, file or database).</summary>
        SessionSourceNotFound,
        /// <summary>A transcript source exists but cannot be read (SQLite missing or the database unreadable).</summary>
        SessionSourceUnreadable,
        /// <summary>A file has tracecraft's begin/end marker lines unmatched, repeated or out of order: setup will not guess which text is whose.</summary>
        MarkedBlockDamaged,
        /// <summary>The installed module holds no native tracecraft executable for this operating system and processor.</summary>
        NativeCommandNotPackaged,
        /// <summary>A local file the command writes (the HTML report) could not be written: a missing folder, no permission.</summary>
        OutputNotWritten,
    }
}
