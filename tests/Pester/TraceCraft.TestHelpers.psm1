# Shared helpers of the Pester suite: which stores to test, throw-away projects on them, the test environment
# (TRACECRAFT_HOME and friends) and child processes with separate stdout, stderr and exit code.
# Every test file imports this module first (in BeforeDiscovery), so importing it also fills in the environment the
# tests read when nobody set it: the suite runs the same through tests/Pester/Invoke-Pester.ps1, build.ps1 -Test, or
# a plain `Invoke-Pester tests/Pester` in a pwsh after `dotnet pwsh ./build.ps1`.

Set-StrictMode -Version 3.0

function Get-TcDefaultModulePath {
    # The manifest build.ps1 lays out: out/TraceCraft/<ModuleVersion of Directory.Build.props>/TraceCraft.psd1.
    $root = Split-Path (Split-Path $PSScriptRoot -Parent) -Parent
    $props = [xml](Get-Content -Raw (Join-Path $root 'Directory.Build.props'))
    $version = $props.Project.PropertyGroup.ModuleVersion | Where-Object { $_ } | Select-Object -First 1
    Join-Path $root "out/TraceCraft/$version/TraceCraft.psd1"
}

function Initialize-TcTestDefault {
    <#
    .SYNOPSIS
    Sets what the tests read and the caller left unset: TRACECRAFT_MODULE_PATH (the built module) and TRACECRAFT_PWSH
    (the pwsh running the tests, for child processes). Throws, saying what to do, when the module is not built.
    Without TRACECRAFT_TEST_S3_* the S3 tests are skipped (see Get-TcTestBackend).
    #>
    if (-not $env:TRACECRAFT_MODULE_PATH) { $env:TRACECRAFT_MODULE_PATH = Get-TcDefaultModulePath }
    if (-not (Test-Path $env:TRACECRAFT_MODULE_PATH)) {
        throw "The module is not built: $env:TRACECRAFT_MODULE_PATH does not exist. Run 'dotnet pwsh ./build.ps1' first."
    }
    $env:TRACECRAFT_MODULE_PATH = (Resolve-Path $env:TRACECRAFT_MODULE_PATH).Path
    if (-not $env:TRACECRAFT_PWSH) { $env:TRACECRAFT_PWSH = Join-Path $PSHOME ($IsWindows ? 'pwsh.exe' : 'pwsh') }
}

function Test-TcS3Configured {
    [bool] ($env:TRACECRAFT_TEST_S3_ENDPOINT -and $env:TRACECRAFT_TEST_S3_ACCESS_KEY -and
        $env:TRACECRAFT_TEST_S3_SECRET_KEY -and $env:TRACECRAFT_TEST_S3_BUCKET)
}

function Get-TcTestBackend {
    <#
    .SYNOPSIS
    The stores to run a Describe on, for BeforeDiscovery: folder always; s3 skipped when no server is configured,
    except with CI=true, where it runs and fails in its BeforeAll (Assert-TcS3).
    #>
    param([ValidateSet('folder', 's3')] [string[]] $Only = @('folder', 's3'))
    $skipS3 = -not (Test-TcS3Configured) -and $env:CI -ne 'true'
    foreach ($backend in $Only) {
        @{ Backend = $backend; Skip = ($backend -eq 's3' -and $skipS3) }
    }
}

function Assert-TcS3 {
    if (-not (Test-TcS3Configured)) {
        throw ('No S3 server for the S3 tests (CI=true makes that a failure): set TRACECRAFT_TEST_S3_ENDPOINT, ' +
            '_ACCESS_KEY, _SECRET_KEY and _BUCKET, e.g. set -a; eval "$(bash tests/s3/start-rgw.sh DIR)"; set +a, ' +
            'or run build.ps1 -Test, which starts Ceph RGW.')
    }
}

function New-TcTestName([string] $Prefix = 'p') {
    # Random names, so runs (and the two stores) never collide in a shared bucket.
    "pester-$Prefix-" + [guid]::NewGuid().ToString('N').Substring(0, 10)
}

function Enter-TcTestEnvironment {
    <#
    .SYNOPSIS
    Gives the calling test file its own TRACECRAFT_HOME and clears TRACECRAFT_AGENT and TRACECRAFT_CONFIG;
    returns what Exit-TcTestEnvironment needs to put everything back.
    #>
    $state = [pscustomobject]@{
        Saved    = @{}
        Home     = Join-Path ([IO.Path]::GetTempPath()) (New-TcTestName 'home')
        Location = (Get-Location).Path
        Rendering = $PSStyle.OutputRendering
    }
    foreach ($name in 'TRACECRAFT_HOME', 'TRACECRAFT_AGENT', 'TRACECRAFT_CONFIG') {
        $state.Saved[$name] = [Environment]::GetEnvironmentVariable($name)
    }
    New-Item -ItemType Directory -Force $state.Home | Out-Null
    $env:TRACECRAFT_HOME = $state.Home
    Remove-Item env:TRACECRAFT_AGENT, env:TRACECRAFT_CONFIG -ErrorAction Ignore
    # Formatted output is compared as text: no ANSI colour codes.
    $PSStyle.OutputRendering = 'PlainText'
    Import-Module $env:TRACECRAFT_MODULE_PATH -Global
    $state
}

function Exit-TcTestEnvironment($State) {
    if (-not $State) { return }
    Set-Location $State.Location
    foreach ($name in $State.Saved.Keys) { [Environment]::SetEnvironmentVariable($name, $State.Saved[$name]) }
    $PSStyle.OutputRendering = $State.Rendering
    Remove-Item -Recurse -Force $State.Home -ErrorAction Ignore
}

function Get-TcTestInitArgument {
    <#
    .SYNOPSIS
    The `tracecraft init` arguments that point at the store, without --project and --agent.
    #>
    param([Parameter(Mandatory)] [string] $Backend, [string] $FolderStore)
    if ($Backend -eq 'folder') { return @('--backend', 'folder', '--path', $FolderStore) }
    Assert-TcS3
    @('--endpoint', $env:TRACECRAFT_TEST_S3_ENDPOINT, '--bucket', $env:TRACECRAFT_TEST_S3_BUCKET,
        '--access-key', $env:TRACECRAFT_TEST_S3_ACCESS_KEY, '--secret-key', $env:TRACECRAFT_TEST_S3_SECRET_KEY)
}

function Get-TcTestCredential {
    param([string] $SecretKey = $env:TRACECRAFT_TEST_S3_SECRET_KEY)
    [pscredential]::new($env:TRACECRAFT_TEST_S3_ACCESS_KEY, (ConvertTo-SecureString $SecretKey -AsPlainText -Force))
}

function New-TcTestProject {
    <#
    .SYNOPSIS
    A throw-away project: a temp root with one folder per agent, each initialized with Initialize-TcProject (so each
    has its own .tracecraft.json), on the folder store (root/bucket) or on the S3 server. With -NoInit the folders
    are only created, for tests that run init themselves.
    #>
    param(
        [Parameter(Mandatory)] [ValidateSet('folder', 's3')] [string] $Backend,
        [string[]] $Agent = @('lead'),
        [string] $Prefix = 'p',
        [switch] $NoInit
    )
    if ($Backend -eq 's3') { Assert-TcS3 }
    $root = Join-Path ([IO.Path]::GetTempPath()) (New-TcTestName "$Prefix-root")
    $project = [pscustomobject]@{
        Backend     = $Backend
        Project     = New-TcTestName $Prefix
        Root        = $root
        FolderStore = Join-Path $root 'bucket'
        Folders     = @{}
        Contexts    = @{}
    }
    foreach ($name in $Agent) {
        $folder = New-Item -ItemType Directory -Force (Join-Path $root $name)
        $project.Folders[$name] = $folder.FullName
        if ($NoInit) { continue }
        Push-Location $folder.FullName
        try {
            $project.Contexts[$name] = if ($Backend -eq 'folder') {
                Initialize-TcProject -Project $project.Project -Agent $name -Backend folder -Path $project.FolderStore -ErrorAction Stop
            }
            else {
                Initialize-TcProject -Project $project.Project -Agent $name -Endpoint $env:TRACECRAFT_TEST_S3_ENDPOINT `
                    -Bucket $env:TRACECRAFT_TEST_S3_BUCKET -Credential (Get-TcTestCredential) -ErrorAction Stop
            }
        }
        finally {
            Pop-Location
        }
    }
    $project
}

function Remove-TcTestProject($Project) {
    # Local folders only: the S3 objects stay under their random project prefix (the test server is throw-away).
    if ($Project) { Remove-Item -Recurse -Force $Project.Root -ErrorAction Ignore }
}

function Read-TcStoreObject {
    <#
    .SYNOPSIS
    The raw text of one object of a test project, read past the module as another tool would (the folder store's
    file, or a signed GET with curl), or $null when it does not exist.
    #>
    param([Parameter(Mandatory)] $Project, [Parameter(Mandatory)] [string] $Key)
    if ($Project.Backend -eq 'folder') {
        $file = Join-Path $Project.FolderStore "objects/$($Project.Project)/$Key"
        if (Test-Path $file) { return Get-Content -Raw $file }
        return $null
    }
    $url = "$($env:TRACECRAFT_TEST_S3_ENDPOINT)/$($env:TRACECRAFT_TEST_S3_BUCKET)/$($Project.Project)/$Key"
    # curl signs SigV4 itself; RGW also wants x-amz-content-sha256 (see tests/s3/start-rgw.sh).
    $text = & curl -s -f -H 'x-amz-content-sha256: UNSIGNED-PAYLOAD' --aws-sigv4 'aws:amz:us-east-1:s3' `
        --user "$($env:TRACECRAFT_TEST_S3_ACCESS_KEY):$($env:TRACECRAFT_TEST_S3_SECRET_KEY)" $url
    if ($LASTEXITCODE -ne 0) { return $null }
    $text -join "`n"
}

function Invoke-TcChild {
    <#
    .SYNOPSIS
    Runs a program and returns its exit code, stdout and stderr separately (text and lines), failing after -Timeout.
    #>
    param(
        [Parameter(Mandatory)] [string] $FilePath,
        [string[]] $ArgumentList = @(),
        [string] $WorkingDirectory = (Get-Location).Path,
        [hashtable] $Environment = @{},
        [int] $TimeoutSeconds = 90
    )
    $info = [System.Diagnostics.ProcessStartInfo]::new($FilePath)
    foreach ($a in $ArgumentList) { $info.ArgumentList.Add($a) }
    $info.WorkingDirectory = $WorkingDirectory
    $info.RedirectStandardOutput = $true
    $info.RedirectStandardError = $true
    $info.RedirectStandardInput = $true
    $info.UseShellExecute = $false
    foreach ($key in $Environment.Keys) { $info.Environment[$key] = [string] $Environment[$key] }
    $process = [System.Diagnostics.Process]::Start($info)
    try {
        $process.StandardInput.Close()
        $out = $process.StandardOutput.ReadToEndAsync()
        $err = $process.StandardError.ReadToEndAsync()
        if (-not $process.WaitForExit($TimeoutSeconds * 1000)) {
            $process.Kill($true)
            throw "$FilePath $($ArgumentList -join ' ') did not finish within $TimeoutSeconds s."
        }
        $process.WaitForExit()
        [pscustomobject]@{
            ExitCode = $process.ExitCode
            StdOut   = $out.Result
            StdErr   = $err.Result
            OutLines = ConvertTo-TcLine $out.Result
            ErrLines = ConvertTo-TcLine $err.Result
        }
    }
    finally {
        $process.Dispose()
    }
}

function ConvertTo-TcLine([string] $Text) {
    # The lines of a program's output, without the final line break (an empty output has no lines).
    if (-not $Text) { return , @() }
    , @($Text.TrimEnd("`r", "`n") -split '\r?\n')
}

function Get-TcImportCommand {
    # The start of a -Command line for a child pwsh: import the built module.
    "Import-Module '$($env:TRACECRAFT_MODULE_PATH.Replace("'", "''"))'"
}

function Invoke-TcPwsh {
    <#
    .SYNOPSIS
    Runs `pwsh -NoProfile -NonInteractive -Command "Import-Module <psd1>; <Command>"` in a folder, as an outside agent would.
    #>
    param(
        [Parameter(Mandatory)] [string] $Command,
        [string] $WorkingDirectory = (Get-Location).Path,
        [hashtable] $Environment = @{}
    )
    Invoke-TcChild -FilePath $env:TRACECRAFT_PWSH -WorkingDirectory $WorkingDirectory -Environment $Environment `
        -ArgumentList @('-NoProfile', '-NonInteractive', '-Command', "$(Get-TcImportCommand); $Command")
}

function Invoke-TcCli {
    <#
    .SYNOPSIS
    Runs the module's `tracecraft` command in this session; returns the output lines and $LASTEXITCODE.
    (Its 'Error: ...' lines go to the process's stderr, which only a child process can capture.)
    #>
    param([Parameter(ValueFromRemainingArguments)] [string[]] $Arguments)
    $lines = @(tracecraft @Arguments 2>$null)
    [pscustomobject]@{ ExitCode = $global:LASTEXITCODE; Lines = [string[]] $lines }
}

function Get-TcFormatted {
    <#
    .SYNOPSIS
    Format-Table and Format-List text of an object, wide enough that short values are never cut.
    #>
    param([Parameter(Mandatory)] $InputObject, [ValidateSet('Table', 'List')] [string] $As)
    if ($As -eq 'Table') { $InputObject | Format-Table | Out-String -Width 400 }
    else { $InputObject | Format-List | Out-String -Width 400 }
}

Initialize-TcTestDefault

Export-ModuleMember -Function *-Tc*
