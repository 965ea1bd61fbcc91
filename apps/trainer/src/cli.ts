console.log('vaejs');
