# Local state is private on Unix: the module (its netstandard2.0 build, which PowerShell 7 runs on Linux and macOS
# too, where File.SetUnixFileMode does not exist) writes the config 600 and the inbox cache 600 in folders of mode 700.
# The Windows ACL path is not tested here.

Describe 'Local files the module writes are private' -Tag 'PrivateFiles', 'folder' -Skip:$IsWindows {
    BeforeAll {
        $environment = $null; $tc = $null  # set before anything can fail: AfterAll reads them
        Import-Module (Join-Path $PSScriptRoot 'TraceCraft.TestHelpers.psm1') -Force
        $environment = Enter-TcTestEnvironment
        $tc = New-TcTestProject -Backend folder -Agent alice, bob -Prefix private
        $file = [IO.UnixFileMode] 'UserRead, UserWrite'
        $folder = [IO.UnixFileMode] 'UserRead, UserWrite, UserExecute'
    }

    AfterAll {
        Exit-TcTestEnvironment $environment
        Remove-TcTestProject $tc
    }

    It 'the config is 600 and init leaves no staging folder beside it' {
        (Get-Item -Force (Join-Path $tc.Folders.alice '.tracecraft.json')).UnixFileMode | Should -Be $file
        (Get-ChildItem -Force $tc.Folders.alice).Name | Sort-Object | Should -Be @('.gitignore', '.tracecraft.json')
    }

    It 'an inbox read writes its cache 600 in folders of mode 700' {
        Set-Location $tc.Folders.bob
        Send-TcMessage -To alice -Text 'hello' | Out-Null
        Set-Location $tc.Folders.alice
        @(Get-TcInbox).Count | Should -Be 1
        $cache = Join-Path $env:TRACECRAFT_HOME 'cache'
        $files = @(Get-ChildItem -Force -Recurse -File $cache)
        $files.Count | Should -BeGreaterThan 0
        foreach ($f in $files) { "$($f.FullName) $($f.UnixFileMode)" | Should -Be "$($f.FullName) $file" }
        foreach ($d in @(Get-ChildItem -Force -Recurse -Directory $cache) + @(Get-Item $cache)) {
            "$($d.FullName) $($d.UnixFileMode)" | Should -Be "$($d.FullName) $folder"
        }
    }
}
