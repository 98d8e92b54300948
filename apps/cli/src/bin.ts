console.log('crys');
