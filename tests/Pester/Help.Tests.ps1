# Get-Help for every exported command, as a user reads it: a real synopsis (not the syntax line PowerShell makes up
# when there is no help), a description, an example and help for each parameter; and the module's MAML file and
# about_TraceCraft. The one home of these checks: tools/New-TcHelp.ps1 only validates its sources (the docs/cmdlets
# pages and the XML doc) while it writes the MAML, and cannot see what Get-Help finds in the laid-out module, nor the
# comment-based help of the `tracecraft` function.

BeforeDiscovery {
    Import-Module (Join-Path $PSScriptRoot 'TraceCraft.TestHelpers.psm1') -Force
    $manifest = Import-PowerShellDataFile $env:TRACECRAFT_MODULE_PATH
    $commands = @(
        foreach ($name in $manifest.CmdletsToExport) { @{ Name = $name; Kind = 'Cmdlet' } }
        foreach ($name in $manifest.FunctionsToExport) { @{ Name = $name; Kind = 'Function' } }
    )
}

Describe 'Get-Help of <Name>' -Tag 'Help' -ForEach $commands {
    BeforeAll {
        Import-Module $env:TRACECRAFT_MODULE_PATH
        $help = Get-Help -Name $Name -Full
        $command = Get-Command -Name $Name
        $common = [System.Management.Automation.Cmdlet]::CommonParameters + [System.Management.Automation.Cmdlet]::OptionalCommonParameters
    }

    It 'has a synopsis that is a sentence, not the syntax line' {
        $synopsis = "$($help.Synopsis)".Trim()
        $synopsis | Should -Not -BeNullOrEmpty
        $synopsis | Should -Not -BeLike "$Name *" -Because 'PowerShell shows the syntax as synopsis when a command has no help'
        $synopsis | Should -Not -Match '\[<CommonParameters>\]'
        $synopsis.Length | Should -BeGreaterThan 15
    }

    It 'has a description' {
        ($help.description.Text -join "`n").Trim() | Should -Not -BeNullOrEmpty
    }

    It 'has at least one example with code' {
        $examples = @($help.examples.example)
        $examples.Count | Should -BeGreaterThan 0
        $examples[0].code | Should -Not -BeNullOrEmpty
    }

    It 'describes each of its parameters' {
        $documented = @{}
        # A command without parameters (Stop-TcHeartbeat) has an empty parameters node with no 'parameter'.
        $parameters = if ($help.parameters -and $help.parameters.PSObject.Properties['parameter']) { @($help.parameters.parameter) } else { @() }
        foreach ($p in $parameters) {
            if ($p -and ($p.description.Text -join '').Trim()) { $documented[$p.name] = $true }
        }
        $missing = $command.Parameters.Keys | Where-Object { $_ -notin $common -and -not $documented[$_] }
        $missing | Should -BeNullOrEmpty -Because "every parameter of $Name needs a description"
    }
}

Describe 'Help for the module as a whole' -Tag 'Help' {
    It 'ships the MAML help of the cmdlets in en-US' {
        $moduleBase = Split-Path $env:TRACECRAFT_MODULE_PATH -Parent
        Join-Path $moduleBase 'en-US/TraceCraft.PowerShell.dll-Help.xml' | Should -Exist
    }

    It 'about_TraceCraft explains leases and the claim object' {
        Import-Module $env:TRACECRAFT_MODULE_PATH
        $about = (Get-Help about_TraceCraft) -join "`n"
        $about | Should -Match 'lease'
        $about | Should -MatchExactly 'claim\.json'
    }

    It 'exports exactly the commands of the manifest' {
        Import-Module $env:TRACECRAFT_MODULE_PATH
        $manifest = Import-PowerShellDataFile $env:TRACECRAFT_MODULE_PATH
        $expected = @($manifest.CmdletsToExport) + @($manifest.FunctionsToExport) | Sort-Object
        (Get-Module TraceCraft).ExportedCommands.Keys | Sort-Object | Should -BeExactly $expected
    }

    It 'tracecraft --help lists the verbs of the original CLI' {
        Import-Module $env:TRACECRAFT_MODULE_PATH
        $text = (tracecraft --help) -join "`n"
        $global:LASTEXITCODE | Should -Be 0
        foreach ($verb in 'init', 'agents', 'memory', 'send', 'inbox', 'claim', 'complete', 'step-status', 'wait-for', 'artifact') {
            $text | Should -Match "\b$([regex]::Escape($verb))\b"
        }
    }
}
