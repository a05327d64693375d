from briefly.cli import main

main()
