"""The reports app: reports on the visits, asked for over HTTP and built by a job."""
