from briefly.cli.app import main

main()
