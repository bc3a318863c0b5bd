@{
    # The version is kept in Directory.Build.props; build.ps1 fails if this line differs from it.
    ModuleVersion        = '0.1.0'
    RootModule           = 'TraceCraft.psm1'
    NestedModules        = @('TraceCraft.PowerShell.dll')
    GUID                 = '6f0c2a4e-9a57-4d3b-9a0e-2b7d5c1f8e41'
    Author               = 'TraceCraft contributors'
    CompanyName          = 'TraceCraft'
    Copyright            = '(c) TraceCraft contributors. MIT licence.'
    Description          = 'Coordination for multi-agent AI work over an S3 bucket or a local folder: shared memory, messages, atomic claims with leases, barriers, handoffs, artifacts and an agent registry. Wire-compatible with the tracecraft Python CLI.'
    PowerShellVersion    = '5.1'
    CompatiblePSEditions = @('Core', 'Desktop')
    DotNetFrameworkVersion = '4.7.2'
    FormatsToProcess     = @('TraceCraft.Format.ps1xml')
    TypesToProcess       = @('TraceCraft.Types.ps1xml')
    CmdletsToExport      = @(
        'Initialize-TcProject'
        'Get-TcAgent'
        'Start-TcHeartbeat'
        'Stop-TcHeartbeat'
        'Set-TcMemory'
        'Get-TcMemory'
        'Remove-TcMemory'
        'Send-TcMessage'
        'Get-TcInbox'
        'Request-TcStep'
        'Update-TcStep'
        'Reset-TcStep'
        'Complete-TcStep'
        'Get-TcStep'
        'New-TcStep'
        'Get-TcHandoff'
        'Wait-TcStep'
        'Publish-TcArtifact'
        'Save-TcArtifact'
        'Get-TcArtifact'
        'Sync-TcSession'
        'Get-TcSession'
        'Stop-TcSession'
        'Remove-TcArtifact'
        'Set-TcAgentInstruction'
        'Install-TcCommand'
        'Invoke-TraceCraft'
        'Export-TcReport'
        'Watch-TcProject'
    )
    FunctionsToExport    = @('tracecraft')
    AliasesToExport      = @()
    VariablesToExport    = @()
    PrivateData          = @{
        PSData = @{
            Tags         = @('multi-agent', 'coordination', 'S3', 'agents', 'locking', 'PSEdition_Core', 'PSEdition_Desktop', 'Windows', 'Linux', 'MacOS')
            ProjectUri   = 'https://github.com/tracecraft/tracecraft-powershell'
            LicenseUri   = 'https://github.com/tracecraft/tracecraft-powershell/blob/main/LICENSE'
            ReleaseNotes = 'First release: every verb of the tracecraft CLI as cmdlets and as the tracecraft command; leases with fencing tokens, compare-and-set memory, incremental inboxes, fast barriers, presence, step dependencies.'
        }
    }
}
