"""What Rasa loads: the NLU layer over the classifier (nlu, named in config.yml), the patches it
applies to Rasa (patches) and the tracker store (tracker_store, named in endpoints.production.yml).
Importing this package imports none of them: bot.rasa.nlu patches Rasa when it is loaded."""
